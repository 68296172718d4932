"""Patient rights: the patient's own pages and API for consent, who accessed my data, break-glass
requests, export of everything about me, erasure; pseudonymised research extracts.

Top layer (beside seed): may use every domain below it.
"""
