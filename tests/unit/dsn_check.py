#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""dsn_check.py: checks a delivery status notification with Python's own
email parser, as a mail reader would see it (check_bounce.c runs it).

    dsn_check.py FILE ACTION NRCPTS PART3TYPE [ADDR=STATUS ...]

FILE must parse without defects as multipart/report;
report-type=delivery-status with 3 parts: text/plain, then
message/delivery-status with Reporting-MTA and Arrival-Date and NRCPTS
per-recipient blocks (Final-Recipient, Action ACTION, a Status code;
Will-Retry-Until in "delayed" blocks only; a Diagnostic-Code, where
there is one, of type smtp with a reply code; a Remote-MTA, where there
is one, of type dns), then PART3TYPE (message/rfc822, whose own header
must parse, or text/rfc822-headers).  Each ADDR=STATUS names a recipient that must be
listed with that Status.  Exits 0, or 1 with the reasons on stderr.
"""
import email
import email.policy
import re
import sys

STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")


def check(path, action, nrcpts, part3, expect):
    errors = []
    with open(path, "rb") as fp:
        msg = email.message_from_binary_file(fp, policy=email.policy.default)
    for part in msg.walk():
        if part.defects:
            errors.append("defects in %s: %r" % (part.get_content_type(),
                                                 part.defects))
    if msg.get_content_type() != "multipart/report":
        return errors + ["top: %s" % msg.get_content_type()]
    if msg.get_param("report-type") != "delivery-status":
        errors.append("report-type: %s" % msg.get_param("report-type"))
    if msg["Auto-Submitted"] != "auto-replied":
        errors.append("Auto-Submitted: %s" % msg["Auto-Submitted"])
    for name in ("From", "To", "Date", "Message-ID", "Subject"):
        if msg[name] is None:
            errors.append("no %s" % name)
    parts = msg.get_payload()
    if len(parts) != 3:
        return errors + ["%d parts" % len(parts)]
    types = [p.get_content_type() for p in parts]
    if types != ["text/plain", "message/delivery-status", part3]:
        errors.append("part types: %r" % types)
    blocks = parts[1].get_payload()
    if not isinstance(blocks, list) or len(blocks) < 1:
        return errors + ["no delivery-status blocks"]
    first, rcpts = blocks[0], blocks[1:]
    for name in ("Reporting-MTA", "Arrival-Date"):
        if first[name] is None:
            errors.append("per-message: no %s" % name)
    if not str(first["Reporting-MTA"]).startswith("dns;"):
        errors.append("Reporting-MTA: %s" % first["Reporting-MTA"])
    if len(rcpts) != nrcpts:
        errors.append("%d recipients, not %d" % (len(rcpts), nrcpts))
    seen = {}
    for b in rcpts:
        fr = str(b["Final-Recipient"] or "")
        m = re.match(r"^(rfc822|utf-8); ?(\S+)$", fr)
        if not m:
            errors.append("Final-Recipient: %r" % fr)
            continue
        if b["Action"] != action:
            errors.append("%s: Action %s" % (fr, b["Action"]))
        if not STATUS.match(str(b["Status"] or "")):
            errors.append("%s: Status %s" % (fr, b["Status"]))
        if action == "delayed" and b["Will-Retry-Until"] is None:
            errors.append("%s: no Will-Retry-Until" % fr)
        if action != "delayed" and b["Will-Retry-Until"] is not None:
            errors.append("%s: Will-Retry-Until in a failure" % fr)
        diag = b["Diagnostic-Code"]
        if diag is not None and not re.match(r"^smtp; [245]\d\d( |$)",
                                             str(diag)):
            errors.append("%s: Diagnostic-Code %r" % (fr, str(diag)))
        if b["Remote-MTA"] is not None and \
                not str(b["Remote-MTA"]).startswith("dns; "):
            errors.append("%s: Remote-MTA %s" % (fr, b["Remote-MTA"]))
        seen[m.group(2)] = str(b["Status"])
    for e in expect:
        addr, status = e.split("=", 1)
        if seen.get(addr) != status:
            errors.append("%s: Status %s, not %s" % (addr, seen.get(addr),
                                                    status))
    if part3 == "message/rfc822":
        inner = parts[2].get_payload()
        if not isinstance(inner, list) or inner[0]["Subject"] is None:
            errors.append("the returned message has no Subject")
    return errors


def main():
    if len(sys.argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    errors = check(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4],
                   sys.argv[5:])
    for e in errors:
        sys.stderr.write("dsn_check: %s\n" % e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
