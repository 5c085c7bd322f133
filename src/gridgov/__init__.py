"""gridgov: grid-based social governance (综治网格服务管理平台)."""

from gridgov.celery import app as celery_app

__all__ = ["celery_app"]
