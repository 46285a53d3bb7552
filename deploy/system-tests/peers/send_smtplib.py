"""Submits one raw message through Sluice's ingress with Python's smtplib and prints the reply to
the end of DATA, e.g. "250 2.0.0 Ok: queued as ...".

Usage: python3 send_smtplib.py <port> <from> <to> <file> [MAIL parameter ...]
"""
import smtplib
import sys

port, sender, recipient, path = sys.argv[1:5]
mail_parameters = sys.argv[5:]  # e.g. RET=FULL
with open(path, "rb") as f:
    message = f.read()
with smtplib.SMTP("127.0.0.1", int(port), local_hostname="smtplib.systemtest", timeout=60) as smtp:
    smtp.ehlo()
    assert smtp.has_extn("pipelining") and smtp.has_extn("8bitmime"), smtp.esmtp_features
    code, reply = smtp.mail(sender, ["BODY=8BITMIME"] + mail_parameters)
    assert code == 250, (code, reply)
    code, reply = smtp.rcpt(recipient, ["NOTIFY=FAILURE,DELAY", "ORCPT=rfc822;" + recipient])
    assert code == 250, (code, reply)
    code, reply = smtp.data(message)
    print(code, reply.decode())
