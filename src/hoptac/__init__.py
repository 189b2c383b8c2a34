"""hoptac: a province's collective economy, in one system."""
