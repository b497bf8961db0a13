#!/usr/bin/python3
# callers_uu.py - for t_callers_postfix.sh: runs the real summary-mail code
# of unattended-upgrades (send_summary_mail and _send_mail_using_sendmail,
# loaded from the extracted /usr/bin/unattended-upgrade, unchanged) with
# its SENDMAIL_BINARY pointed at the test's sendmail wrapper, as at the end
# of a run that upgraded packages.
#
# usage: callers_uu.py UNATTENDED_UPGRADE_SCRIPT SENDMAIL MAILTO
# Exits 0 if send_summary_mail logged "mail returned: 0", else 1.
import importlib.machinery
import importlib.util
import io
import logging
import sys

script, sendmail, mailto = sys.argv[1:4]

records = []


class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())


logging.getLogger().addHandler(Keep())
logging.getLogger().setLevel(logging.DEBUG)

loader = importlib.machinery.SourceFileLoader("unattended_upgrade", script)
spec = importlib.util.spec_from_loader("unattended_upgrade", loader)
uu = importlib.util.module_from_spec(spec)
loader.exec_module(uu)

uu.SENDMAIL_BINARY = sendmail
uu.REBOOT_REQUIRED_FILE = "/nonexistent/reboot-required"   # no "[reboot required]"
uu.apt_pkg.config.set("Unattended-Upgrade::Mail", mailto)
uu.apt_pkg.config.set("Unattended-Upgrade::MailReport", "always")

kept = uu.KeptPkgs(set)
mem_log = io.StringIO(
    "2026-11-28 06:25:01,123 INFO Starting unattended upgrades script\n"
    "2026-11-28 06:25:01,124 INFO Allowed origins are: "
    "origin=Debian,codename=bookworm,label=Debian-Security\n"
    "2026-11-28 06:25:09,552 INFO All upgrades installed\n")
dpkg_log = ("Log started: 2026-11-28  06:25:03\n"
            "Preparing to unpack .../libexpat1_2.5.0-1+deb12u2_amd64.deb ...\n"
            "Unpacking libexpat1:amd64 (2.5.0-1+deb12u2) over (2.5.0-1+deb12u1) ...\n"
            "Setting up libexpat1:amd64 (2.5.0-1+deb12u2) ...\n"
            "Paramètres régionaux: « fr_FR.UTF-8 » — déjà à jour\n"
            "Log ended: 2026-11-28  06:25:09\n")
uu.send_summary_mail(["libexpat1", "tzdata"], True, "All upgrades installed",
                     kept, [], [], mem_log, dpkg_log)
ok = "mail returned: 0" in records
for r in records:
    print("uu log:", r, file=sys.stderr)
sys.exit(0 if ok else 1)
