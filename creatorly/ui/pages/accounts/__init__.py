"""Account pages: sign up, sign in, recovery, settings, dev mailbox."""
