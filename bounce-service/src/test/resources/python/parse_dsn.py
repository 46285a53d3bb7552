"""Reads a DSN with Python's email package (a parser not written by us) and prints what it sees as JSON.

Usage: python3 parse_dsn.py <file>
"""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)

out = {
    "content_type": msg.get_content_type(),
    "report_type": msg.get_param("report-type"),
    "auto_submitted": msg.get("Auto-Submitted"),
    "from": str(msg.get("From")),
    "to": str(msg.get("To")),
    "subject": str(msg.get("Subject")),
    "defects": [type(d).__name__ for d in msg.defects],
    "parts": [],
    "per_message": {},
    "recipients": [],
    "returned_headers": None,
}
for part in msg.iter_parts():
    ctype = part.get_content_type()
    out["parts"].append(ctype)
    out["defects"] += [type(d).__name__ for d in part.defects]
    if ctype == "message/delivery-status":
        # The email package parses each block of a delivery-status body into its own header set.
        blocks = part.get_payload()
        out["per_message"] = {k.lower(): str(v) for k, v in blocks[0].items()}
        out["recipients"] = [{k.lower(): " ".join(str(v).split()) for k, v in b.items()} for b in blocks[1:]]
    elif ctype == "text/rfc822-headers":
        out["returned_headers"] = part.get_content()
print(json.dumps(out))
