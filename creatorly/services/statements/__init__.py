"""Monthly earnings statements (HTML in the dashboard, PDF download) and CSV exports of the ledger and payouts."""
