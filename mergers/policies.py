"""Who may do what with merger scenarios and division change proposals.

Registered with accounts.permissions; filled in by the scenario and change-proposal work.
"""
