"""Development tools of the workspace (sample data, local runner); never deployed."""
