"""A stand-in for the EC2 instance metadata service, IMDSv2 only, for bootstrap_imds.sh: PUT
/latest/api/token (with a TTL header) gives a token; GET /latest/meta-data/<key> answers only
with that token (401 otherwise, as on an instance with http_tokens = "required"). Every request
is logged to the file given as the second argument. Runs inside a network namespace."""

import http.server
import sys

TOKEN = "fake-imds-token"
META = {"local-ipv4": "10.9.8.7", "local-hostname": "ip-10-9-8-7.eu-west-1.compute.internal",
        "placement/availability-zone": "eu-west-1b"}


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, code, body=""):
        with open(sys.argv[2], "a") as log:
            token = self.headers.get("X-aws-ec2-metadata-token", "-")
            log.write(f"{self.command} {self.path} token={token} -> {code}\n")
        self.send_response(code)
        self.end_headers()
        self.wfile.write(body.encode())

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.answer(200, TOKEN)
        else:
            self.answer(400)

    def do_GET(self):
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            self.answer(401)
            return
        key = self.path.removeprefix("/latest/meta-data/")
        self.answer(200, META[key]) if key in META else self.answer(404)

    def log_message(self, *args):
        pass


http.server.HTTPServer(("169.254.169.254", int(sys.argv[1])), Handler).serve_forever()
