"""Analytics: read-only aggregates for service leads (outcomes, NHS Talking Therapies metrics,
equity gaps). Never writes clinical data.

Depends on: monitoring (outcome functions) and the domains below it, through their selectors.
"""
