# Models arrive with the clubs issue.
