"""The POS coupon API (CONTRACT 3), mounted at /pos/."""

urlpatterns: list = []
