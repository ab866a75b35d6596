"""The reimbursement rules engine: pure Python, no Django (a test enforces it).

The engine itself (dated parameters, the Sécu's share, the mutuelle's share, the explanation trace)
comes with its own issue; this package already holds the vocabulary the models share with it.
"""
