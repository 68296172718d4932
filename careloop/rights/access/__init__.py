"""The patient's access pages under /me/: consent choices, who accessed my data, emergency
access (break-glass) requests and review."""
