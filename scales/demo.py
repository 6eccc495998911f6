"""Demo scale items for seed_demo."""


def seed_scale_items(seed) -> None:
    """A seed_demo section: scale items pushed as CATAPULT pushes them."""
