"""Review status, the advisory board and the approval workflow."""
