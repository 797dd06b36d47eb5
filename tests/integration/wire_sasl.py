"""Hand-built SASL frames for the raw-socket SASL tests: SaslHandshake v0/v1, SaslAuthenticate
v1, a PLAIN token, and a SCRAM client written from RFC 5802 with Python's hashlib/hmac
(independently of the broker's code)."""

import base64
import hashlib
import hmac
import os
import struct

from wire import Reader, compact_string, connect, i32, recv_frame, request, string, uvarint


def handshake_request(correlation_id, mechanism, version=1):
    return request(17, version, correlation_id, string(mechanism))


def parse_handshake(payload):
    """(correlation_id, error_code, [mechanisms])"""
    r = Reader(payload)
    correlation_id = r.i32()
    error = r.i16()
    mechanisms = [r.string() for _ in range(r.i32())]
    return correlation_id, error, mechanisms


def authenticate_request(correlation_id, token, version=1):
    return request(36, version, correlation_id, i32(len(token)) + token)


def parse_authenticate(payload):
    """(correlation_id, error_code, error_message, auth_bytes, session_lifetime_ms) of v1."""
    r = Reader(payload)
    correlation_id = r.i32()
    error = r.i16()
    message = r.string()
    n = r.i32()
    token = r.data[r.pos:r.pos + n]
    r.pos += n
    lifetime = r.i64()
    return correlation_id, error, message, token, lifetime


def plain_token(user, password):
    return b"\0" + user.encode() + b"\0" + password.encode()


def raw_frame(token):
    """A SASL token as kafka-python sends it after SaslHandshake v0: int32 size + bytes."""
    return struct.pack(">i", len(token)) + token


class ScramClient:
    """RFC 5802 client side, no channel binding."""

    def __init__(self, mechanism, user, password):
        self.hash = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}[mechanism]
        self.user = user
        self.password = password
        self.nonce = base64.b64encode(os.urandom(18)).decode()

    def first(self):
        self.bare = f"n={self.user.replace('=', '=3D').replace(',', '=2C')},r={self.nonce}"
        return ("n,," + self.bare).encode()

    def final(self, server_first):
        attrs = dict(p.split("=", 1) for p in server_first.decode().split(","))
        salted = hashlib.pbkdf2_hmac(self.hash, self.password.encode(),
                                     base64.b64decode(attrs["s"]), int(attrs["i"]))
        without_proof = f"c=biws,r={attrs['r']}"
        auth = f"{self.bare},{server_first.decode()},{without_proof}".encode()
        client_key = hmac.new(salted, b"Client Key", self.hash).digest()
        stored = hashlib.new(self.hash, client_key).digest()
        signature = hmac.new(stored, auth, self.hash).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, signature))
        server_key = hmac.new(salted, b"Server Key", self.hash).digest()
        self.server_signature = hmac.new(server_key, auth, self.hash).digest()
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def verify(self, server_final):
        return server_final.decode() == "v=" + base64.b64encode(self.server_signature).decode()


def authenticate(sock, mechanism, user, password, correlation_id=1):
    """Handshake v1 + SaslAuthenticate v1 on `sock`. Returns (error_code, message, lifetime)
    of the last SaslAuthenticate response (or the handshake's error with message None)."""
    sock.sendall(handshake_request(correlation_id, mechanism))
    _, error, _ = parse_handshake(recv_frame(sock))
    if error:
        return error, None, 0
    if mechanism == "PLAIN":
        sock.sendall(authenticate_request(correlation_id + 1, plain_token(user, password)))
        _, error, message, _, lifetime = parse_authenticate(recv_frame(sock))
        return error, message, lifetime
    client = ScramClient(mechanism, user, password)
    sock.sendall(authenticate_request(correlation_id + 1, client.first()))
    _, error, message, token, lifetime = parse_authenticate(recv_frame(sock))
    if error:
        return error, message, lifetime
    sock.sendall(authenticate_request(correlation_id + 2, client.final(token)))
    _, error, message, token, lifetime = parse_authenticate(recv_frame(sock))
    if not error:
        assert client.verify(token), f"bad server signature {token!r}"
    return error, message, lifetime


__all__ = ["connect", "handshake_request", "parse_handshake", "authenticate_request",
           "parse_authenticate", "plain_token", "raw_frame", "ScramClient", "authenticate"]


def _compact_bytes(b):
    return uvarint(len(b) + 1) + b


def alter_scram_request(correlation_id, user, mechanism_type, iterations, salt, salted_password):
    """AlterUserScramCredentials v0 (flexible) with one upsertion and no deletion."""
    upsertion = (compact_string(user) + struct.pack(">b", mechanism_type) + i32(iterations) +
                 _compact_bytes(salt) + _compact_bytes(salted_password) + uvarint(0))
    body = uvarint(1) + uvarint(2) + upsertion + uvarint(0)
    return request(51, 0, correlation_id, body, flexible_header=True)


def parse_alter_scram(payload):
    """[(user, error_code)] of an AlterUserScramCredentials v0 response (header v1)."""
    r = Reader(payload)
    r.i32()  # correlation id
    r.skip_tags()
    r.i32()  # throttle
    out = []
    for _ in range(r.uvarint() - 1):
        n = r.uvarint() - 1
        user = r.data[r.pos:r.pos + n].decode()
        r.pos += n
        error = r.i16()
        n = r.uvarint() - 1
        r.pos += max(n, 0)
        r.skip_tags()
        out.append((user, error))
    return out


def salted_password(mechanism, password, salt, iterations):
    h = {"SCRAM-SHA-256": "sha256", "SCRAM-SHA-512": "sha512"}[mechanism]
    return hashlib.pbkdf2_hmac(h, password.encode(), salt, iterations)
