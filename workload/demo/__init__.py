"""The demo county: a deterministic, realistic county with deliberate staffing problems to find."""
