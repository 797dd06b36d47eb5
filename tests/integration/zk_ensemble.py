"""A ZooKeeper ensemble of Debian's ZooKeeper servers on loopback: each member a process with its
own dataDir and myid, client, quorum and election ports all free ports on 127.0.0.1. Members
can be stopped and started again to take a minority or the majority away."""

import os

import harness
from harness import JAVA, ZK_CLASSPATH, free_port, wait_until


class Member(harness._Process):
    def __init__(self, myid, tick_ms):
        super().__init__(f"samsa-it-zk{myid}-")
        self.name = f"zookeeper {myid}"
        self.myid = myid
        self.tick_ms = tick_ms
        self.port = free_port()
        self.quorum_port = free_port()
        self.election_port = free_port()

    def write_config(self, members):
        data = os.path.join(self.dir, "data")
        os.makedirs(data, exist_ok=True)
        with open(os.path.join(data, "myid"), "w") as f:
            f.write(f"{self.myid}\n")
        cfg = os.path.join(self.dir, "zoo.cfg")
        with open(cfg, "w") as f:
            f.write(f"tickTime={self.tick_ms}\ninitLimit=10\nsyncLimit=5\n"
                    f"dataDir={data}\nclientPort={self.port}\nclientPortAddress=127.0.0.1\n"
                    "admin.enableServer=false\n4lw.commands.whitelist=*\n"
                    "maxClientCnxns=0\nforceSync=no\npreAllocSize=1024\n"
                    "quorumListenOnAllIPs=false\n")
            for m in members:
                f.write(f"server.{m.myid}=127.0.0.1:{m.quorum_port}:{m.election_port}\n")
        return cfg

    def start(self, members):
        cfg = self.write_config(members)
        self._spawn([JAVA, "-Xmx128M", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                     "-Djava.awt.headless=true", f"-Dzookeeper.log.dir={self.dir}",
                     "-Dzookeeper.root.logger=INFO,CONSOLE", "-cp", ZK_CLASSPATH,
                     "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfg])
        return self


class Ensemble:
    def __init__(self, size=3, tick_ms=2000):
        self.members = [Member(i, tick_ms) for i in range(1, size + 1)]

    @property
    def connect(self):
        return ",".join(f"127.0.0.1:{m.port}" for m in self.members)

    def start(self, timeout=120):
        for m in self.members:
            m.start(self.members)
        self.wait_serving(timeout)
        return self

    def serving(self):
        """How many members answer as leader or follower (four-letter 'srvr')."""
        n = 0
        for m in self.members:
            if not m.alive():
                continue
            try:
                import socket
                with socket.create_connection(("127.0.0.1", m.port), timeout=2) as s:
                    s.sendall(b"srvr")
                    out = s.recv(65536).decode(errors="replace")
                if "Mode: leader" in out or "Mode: follower" in out:
                    n += 1
            except OSError:
                pass
        return n

    def wait_serving(self, timeout, count=None):
        count = count or len([m for m in self.members if m.alive()])
        wait_until(lambda: self.serving() >= count, timeout,
                   f"{count} ZooKeeper member(s) in a quorum", interval=0.3)

    def stop_member(self, m):
        m.stop()

    def start_member(self, m):
        m.start(self.members)

    def client(self, chroot="", connect_timeout=15):
        return harness.kazoo_client(self.connect + chroot, connect_timeout)

    def cleanup(self):
        for m in self.members:
            m.cleanup()
