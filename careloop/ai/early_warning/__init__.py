"""Early warning of non-response (#15 item 1): pure feature extraction (`features`), a small
logistic regression with calibration and evaluation (`logistic`, `training`) and plain-words
explanations (`explain`). The database reads that feed it are in `careloop.ai.selectors`."""
