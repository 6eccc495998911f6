"""Settings package: ``base`` holds everything; ``local`` (the default), ``production`` and
``test`` adjust it. Every value a deployment changes comes from the environment."""
