# Models arrive with the mortgage issue.
