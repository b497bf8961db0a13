# carrier: hand-written Makefile.  configure writes config.mk (included
# below) and config.h; on a fresh clone, config.mk is made first by
# running autoconf and ./configure.  make never installs packages: the
# Debian packages the build needs come from README's set-up command,
# sh tests/lab/deps.sh, and make says so when they are missing.

ifeq ($(filter clean distclean deb,$(MAKECMDGOALS)),)
include config.mk
endif

DESTDIR		?=
CONFDIR		?= /etc
ifdef PREFIX
prefix		:= $(PREFIX)
endif
O		?= build/obj

WARN		= -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes \
		  -Wpointer-arith -Wstrict-prototypes -Wno-unused-parameter
ifeq ($(CI),true)
WARN		+= -Werror
endif
ALL_CFLAGS	= -std=c11 -D_GNU_SOURCE -I. -Ilib $(WARN) $(TLS_CFLAGS) $(CFLAGS)

LIB_SRCS	= $(wildcard lib/*.c) $(COMPAT_SRCS)
LIB_OBJS	= $(LIB_SRCS:%.c=$(O)/%.o)
CMD_OBJS	= $(O)/cmd/carrier.o
UNIT_SRCS	= $(wildcard tests/unit/*.c)
UNIT_OBJS	= $(UNIT_SRCS:%.c=$(O)/%.o)
MANS		= man/carrier.8 man/carrier.conf.5 man/mailq.1 man/newaliases.1

.PHONY: all check unit sanitize integration integration-asan lint demo \
	install uninstall clean \
	distclean bench bench-queue bench-mx bench-tls-mx fuzz

all: carrier

DEPS_HINT	= run 'sh tests/lab/deps.sh' (as root) first: it installs \
		  the Debian packages the build needs
config.mk: configure.ac config.mk.in
	@command -v autoconf >/dev/null 2>&1 || \
	    { echo "make: autoconf not found: $(DEPS_HINT)" >&2; exit 1; }
	autoconf
	autoheader
	@./configure || { rm -f config.mk; \
	    echo "make: configure failed: $(DEPS_HINT)" >&2; exit 1; }

# $(O)/carrier: the same binary in O (build/asan/carrier for
# integration-asan)
carrier $(O)/carrier: $(CMD_OBJS) $(O)/libcarrier.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) $(O)/libcarrier.a $(LIBS) \
	    $(RESOLV_LIBS)

$(O)/libcarrier.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(O)/%.o: %.c config.h lib/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/unit/%.o: tests/unit/%.c config.h lib/*.h tests/unit/*.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(O)/check_carrier: $(UNIT_OBJS) $(O)/libcarrier.a
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(O)/libcarrier.a $(CHECK_LIBS) \
	    $(LIBS) $(RESOLV_LIBS)

# The README's test command: unit tests, the same under ASan+UBSan,
# lint, then the integration tests against real servers, and those again
# with carrier built with ASan+UBSan.
check: unit sanitize lint integration integration-asan

unit: $(O)/check_carrier
	$(O)/check_carrier

# The sanitizer run has every test in one process (CK_FORK=no): a leak
# check at each forked test's exit cost 45 ms, 7.5 minutes in all, and
# one process also shows a test that leans on the state another left.
# A leak is still found, at the process's exit; the plain unit run keeps
# a process per test.
SAN_FLAGS	= -fsanitize=address,undefined -fno-omit-frame-pointer -g
sanitize:
	$(MAKE) O=build/asan CFLAGS="$(CFLAGS) $(SAN_FLAGS) -O1" \
	    LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" build/asan/check_carrier
	CK_FORK=no UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ASAN_OPTIONS=detect_leaks=1 build/asan/check_carrier

integration: carrier
	bash tests/lab/selftest.sh
	tests/integration/run.sh

# The integration suites with carrier under ASan+UBSan: memory errors in
# whole sends against real servers, not only in the units.  Reports go
# to build/asan/reports (the tests run carrier as other users and in
# other namespaces); any report fails the run.  Leak checking is off: it
# needs a thread of its own and no ptrace, and the unit run has it.
SAN_REPORTS	= build/asan/reports
integration-asan:
	$(MAKE) O=build/asan CFLAGS="$(CFLAGS) $(SAN_FLAGS) -O1" \
	    LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)" build/asan/carrier
	rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS) && \
	    chmod 1777 $(SAN_REPORTS)
	CARRIER=$(CURDIR)/build/asan/carrier CARRIER_SANITIZED=1 \
	    ASAN_OPTIONS=detect_leaks=0:log_path=$(CURDIR)/$(SAN_REPORTS)/asan \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(CURDIR)/$(SAN_REPORTS)/ubsan \
	    tests/integration/run.sh; rc=$$?; \
	if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then \
	    cat $(SAN_REPORTS)/*; echo "integration-asan: sanitizer reports"; \
	    exit 1; fi; exit $$rc

lint:
	tests/lint.sh

# The main job: a real send through a real local Postfix.
demo: carrier
	tests/demo.sh

bench: carrier
	tests/bench/run.sh

# The queue's figures (never a pass/fail): the single send beside the binary
# before the queue (169ef0c), with and without a spool, and a 1,000-message
# flush with and without connection reuse (tests/bench/queue.sh).
bench-queue: carrier
	tests/bench/queue.sh

# Direct MX delivery's figures (never a pass/fail): one message to 10
# domains beside one to 1 domain, each MX host 200 ms away, with
# domain_concurrency 4 (default), 10 and 1 (tests/bench/mx.sh).
bench-mx: carrier
	tests/bench/mx.sh

# What DANE (and later MTA-STS) adds to a direct MX send over TLS.
bench-tls-mx: carrier
	tests/bench/tls_mx.sh

# libFuzzer harnesses (tests/fuzz/fuzz_<parser>.c), built with clang under
# ASan+UBSan; each runs FUZZ_SECONDS (default 60) from its corpus.
FUZZ_SECONDS	?= 60
FUZZ_CFLAGS	= -g -O1 -fsanitize=fuzzer,address,undefined \
		  -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE -I. -Ilib
FUZZ_SRCS	= $(wildcard tests/fuzz/fuzz_*.c)
fuzz: config.h
	@mkdir -p build/fuzz
	@set -e; for f in $(FUZZ_SRCS); do \
	    n=$$(basename $$f .c); \
	    clang $(FUZZ_CFLAGS) -o build/fuzz/$$n $$f $(LIB_SRCS) \
	        $(LIBS) $(RESOLV_LIBS); \
	    mkdir -p build/fuzz/$$n.corpus; \
	    if [ -d tests/fuzz/$$n.seeds ]; then \
	        cp -n tests/fuzz/$$n.seeds/* build/fuzz/$$n.corpus/ || true; fi; \
	    echo "== $$n: $(FUZZ_SECONDS) s"; \
	    if ! build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 build/fuzz/$$n.corpus \
	        >build/fuzz/$$n.log 2>&1; then \
	        tail -60 build/fuzz/$$n.log; exit 1; fi; \
	    grep -E 'number_of_executed_units|average_exec_per_sec|Done' \
	        build/fuzz/$$n.log; \
	done

# Where callers look for sendmail: $(sbindir)/sendmail and
# $(prefix)/lib/sendmail, with mailq and newaliases in $(bindir); each a
# link to $(sbindir)/carrier.  A program of another mail system there is
# not replaced: install stops before it changes anything, unless FORCE=1,
# which moves it to NAME.carrier-backup (uninstall puts it back).
# libcarrier.a and its headers are not installed: lib/ is carrier's own,
# with no stable interface yet (see libcarrier(3) in the tree).
SENDMAIL_LINKS	= $(sbindir)/sendmail $(prefix)/lib/sendmail \
		  $(bindir)/mailq $(bindir)/newaliases
MAN_LINKS	= $(mandir)/man8/sendmail.8
FORCE		?=
CARRIER_BIN	= $(DESTDIR)$(sbindir)/carrier
BACKUP		= .carrier-backup

# The queue: the spool (mode 2770) and the binary (set-group-ID) belong
# to GROUP, which alone may write the spool and read a credentials file
# of mode 640; carrier takes the group only to open those (carrier(8),
# FILES).  Without DESTDIR, as root, install makes the group when it is
# missing; with DESTDIR (a package) the group must exist, or the binary
# is installed without it (a packager's postinst sets it up).  Queue runs
# come from a systemd timer, or cron where systemd does not run: as root,
# without DESTDIR, where systemd runs (/run/systemd/system, as
# sd_booted(3) checks), install enables and starts the timer with
# SYSTEMCTL and uninstall disables it (a package does that in its own
# scripts: dh_installsystemd).  A failure there is said, not fatal.
GROUP		?= carrier
SPOOL		?= /var/spool/carrier
SYSTEMDDIR	?= /lib/systemd/system
CRONDIR		?= $(CONFDIR)/cron.d
SYSTEMCTL	?= systemctl
TIMER		= carrier-queue.timer
# true (exit 0) where install and uninstall run systemctl
SYSTEMD_HERE	= { [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && \
		  [ -d /run/systemd/system ]; }

install: carrier
	@set -e; for f in $(SENDMAIL_LINKS:%=$(DESTDIR)%); do \
	    [ -e "$$f" ] || [ -L "$$f" ] || continue; \
	    [ "$$(readlink -f "$$f")" != "$$(readlink -f $(CARRIER_BIN))" ] || \
	        continue; \
	    if [ "$(FORCE)" != 1 ]; then \
	        echo "install: $$f is another mail system's, not replaced" \
	            "(nothing installed); make install FORCE=1 replaces" \
	            "it and keeps it as $$f$(BACKUP)" >&2; exit 1; fi; \
	    if [ -e "$$f$(BACKUP)" ] || [ -L "$$f$(BACKUP)" ]; then \
	        echo "install: $$f$(BACKUP) exists already" >&2; exit 1; fi; \
	done
	install -d $(DESTDIR)$(sbindir) $(DESTDIR)$(bindir) \
	    $(DESTDIR)$(prefix)/lib $(DESTDIR)$(mandir)/man1 \
	    $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(mandir)/man5 \
	    $(DESTDIR)$(CONFDIR)
	install -m 755 carrier $(CARRIER_BIN)
	@set -e; for f in $(SENDMAIL_LINKS:%=$(DESTDIR)%); do \
	    if { [ -e "$$f" ] || [ -L "$$f" ]; } && \
	        [ "$$(readlink -f "$$f")" != "$$(readlink -f $(CARRIER_BIN))" ]; \
	    then mv "$$f" "$$f$(BACKUP)"; \
	        echo "install: the old $$f is now $$f$(BACKUP)"; fi; \
	done
	ln -sf carrier $(DESTDIR)$(sbindir)/sendmail
	ln -sf ../sbin/carrier $(DESTDIR)$(prefix)/lib/sendmail
	ln -sf ../sbin/carrier $(DESTDIR)$(bindir)/mailq
	ln -sf ../sbin/carrier $(DESTDIR)$(bindir)/newaliases
	install -m 644 man/carrier.8 $(DESTDIR)$(mandir)/man8/carrier.8
	ln -sf carrier.8 $(DESTDIR)$(mandir)/man8/sendmail.8
	install -m 644 man/carrier.conf.5 \
	    $(DESTDIR)$(mandir)/man5/carrier.conf.5
	install -m 644 man/mailq.1 man/newaliases.1 $(DESTDIR)$(mandir)/man1/
	if [ ! -e $(DESTDIR)$(CONFDIR)/carrier.conf ]; then \
	    install -m 644 etc/carrier.conf \
	    $(DESTDIR)$(CONFDIR)/carrier.conf; fi
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(CRONDIR)
	install -m 644 etc/carrier-queue.service etc/carrier-queue.timer \
	    $(DESTDIR)$(SYSTEMDDIR)/
	install -m 644 etc/carrier.cron $(DESTDIR)$(CRONDIR)/carrier
	@set -e; if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && \
	    ! getent group $(GROUP) >/dev/null; then \
	    groupadd --system $(GROUP); echo "install: made group $(GROUP)"; fi
	install -d -m 2770 $(DESTDIR)$(SPOOL) $(DESTDIR)$(SPOOL)/tmp \
	    $(DESTDIR)$(SPOOL)/queue $(DESTDIR)$(SPOOL)/corrupt \
	    $(DESTDIR)$(SPOOL)/sts
	@set -e; if [ "$$(id -u)" = 0 ] && getent group $(GROUP) >/dev/null; \
	then chgrp $(GROUP) $(CARRIER_BIN) $(DESTDIR)$(SPOOL) \
	        $(DESTDIR)$(SPOOL)/tmp $(DESTDIR)$(SPOOL)/queue \
	        $(DESTDIR)$(SPOOL)/corrupt $(DESTDIR)$(SPOOL)/sts; \
	    chmod 2755 $(CARRIER_BIN); \
	    chmod 2770 $(DESTDIR)$(SPOOL) $(DESTDIR)$(SPOOL)/tmp \
	        $(DESTDIR)$(SPOOL)/queue $(DESTDIR)$(SPOOL)/corrupt \
	        $(DESTDIR)$(SPOOL)/sts; \
	else echo "install: no group $(GROUP) (or not root): carrier is" \
	    "not set-group-ID, and only root can queue" >&2; fi
	@if ! $(SYSTEMD_HERE); then :; \
	elif $(SYSTEMCTL) daemon-reload && \
	    $(SYSTEMCTL) enable --now $(TIMER); then \
	    echo "install: $(TIMER) enabled and started: the queue runs" \
	        "every 5 minutes"; \
	else echo "install: $(SYSTEMCTL) could not enable $(TIMER) (see" \
	    "above): no queue run happens until it is, with" \
	    "systemctl enable --now $(TIMER)" >&2; fi

# Removes what install put there, and puts back what it moved aside;
# $(CONFDIR)/carrier.conf is kept (it may hold local settings), and so
# are the group and a spool that still holds mail, or entries set aside
# in corrupt/ for a person to look at.
uninstall:
	@if ! $(SYSTEMD_HERE) || [ ! -e $(SYSTEMDDIR)/$(TIMER) ]; then :; \
	elif ! $(SYSTEMCTL) disable --now $(TIMER); then \
	    echo "uninstall: $(SYSTEMCTL) could not disable $(TIMER) (see" \
	        "above)" >&2; fi
	@set -e; for f in $(SENDMAIL_LINKS:%=$(DESTDIR)%) \
	    $(MAN_LINKS:%=$(DESTDIR)%); do \
	    if [ -L "$$f" ] && case "$$(readlink "$$f")" in \
	        carrier|carrier.8|../sbin/carrier) true;; *) false;; esac; \
	    then rm -f "$$f"; fi; \
	    if [ -e "$$f$(BACKUP)" ] || [ -L "$$f$(BACKUP)" ]; then \
	        if [ -e "$$f" ] || [ -L "$$f" ]; then \
	            echo "uninstall: $$f$(BACKUP) left: $$f is there" >&2; \
	        else mv "$$f$(BACKUP)" "$$f"; \
	            echo "uninstall: $$f put back"; fi; fi; \
	done
	rm -f $(CARRIER_BIN) $(DESTDIR)$(mandir)/man8/carrier.8 \
	    $(DESTDIR)$(mandir)/man5/carrier.conf.5 \
	    $(DESTDIR)$(mandir)/man1/mailq.1 \
	    $(DESTDIR)$(mandir)/man1/newaliases.1 \
	    $(DESTDIR)$(SYSTEMDDIR)/carrier-queue.service \
	    $(DESTDIR)$(SYSTEMDDIR)/carrier-queue.timer \
	    $(DESTDIR)$(CRONDIR)/carrier
	@if $(SYSTEMD_HERE); then $(SYSTEMCTL) daemon-reload || true; fi
	@if [ -n "$$(ls -A $(DESTDIR)$(SPOOL)/queue 2>/dev/null)" ]; then \
	    echo "uninstall: $(DESTDIR)$(SPOOL) kept: it holds queued mail" \
	        >&2; \
	elif [ -n "$$(ls -A $(DESTDIR)$(SPOOL)/corrupt 2>/dev/null)" ]; then \
	    echo "uninstall: $(DESTDIR)$(SPOOL) kept: its corrupt/ holds" \
	        "queue entries set aside for a person to look at" >&2; \
	else rm -rf $(DESTDIR)$(SPOOL); fi

# The Debian package (debian/; README, "The Debian package"), built by
# dpkg-buildpackage from a copy of the tree in DEBDIR/carrier: the
# files git knows or would add (edits included; what .gitignore names
# left out), or all but build/ outside git.  The .deb, and all else
# dpkg-buildpackage writes beside its source, lands in DEBDIR.
DEB_BUILD_FLAGS	?= -us -uc
DEBDIR		?= build/deb
.PHONY: deb
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
	    { echo "make: dpkg-buildpackage or dh not found: $(DEPS_HINT)" >&2; \
	    exit 1; }
	rm -rf $(DEBDIR) && mkdir -p $(DEBDIR)/carrier
	{ git ls-files -z -co --exclude-standard 2>/dev/null || \
	    find . -path ./build -prune -o -path ./.git -prune -o -type f \
	    -print0; } | \
	    tar --null --ignore-failed-read -T - -cf - | \
	    tar -C $(DEBDIR)/carrier -xf -
	cd $(DEBDIR)/carrier && dpkg-buildpackage $(DEB_BUILD_FLAGS)
	@ls $(DEBDIR)/*.deb

clean:
	rm -rf build/obj build/asan carrier

distclean: clean
	rm -rf build config.mk config.h config.log config.status \
	    autom4te.cache configure config.h.in
