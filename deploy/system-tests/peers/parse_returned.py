"""Reads a DSN with Python's standard email package and prints its parts and the message it
returns, one "key<TAB>value" line each (line ends in values written as \\n): for message/rfc822
(RET=FULL) the returned message's Subject and body, for text/rfc822-headers only the headers.

Usage: python3 parse_returned.py <dsn-file>
"""
import email
import email.policy
import sys

with open(sys.argv[1], "rb") as f:
    dsn = email.message_from_binary_file(f, policy=email.policy.default)

parts = list(dsn.iter_parts())
returned = parts[2] if len(parts) > 2 else None
out = {
    "content_type": dsn.get_content_type(),
    "parts": ",".join(p.get_content_type() for p in parts),
    "defects": str(len(dsn.defects)),
}
if returned is not None and returned.get_content_type() == "message/rfc822":
    inner = returned.get_payload(0)
    out["returned_subject"] = str(inner["Subject"])
    out["returned_body"] = inner.get_payload(decode=True).decode("utf-8")
elif returned is not None:
    out["returned_headers"] = returned.get_payload(decode=True).decode("utf-8", "replace")
for key, value in out.items():
    print(key + "\t" + value.replace("\r", "").replace("\n", "\\n"))
