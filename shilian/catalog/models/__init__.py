from shilian.catalog.models.products import Product

__all__ = ["Product"]
