"""Process start-up: the prefetch child, optional extras, signals and the terminal."""
