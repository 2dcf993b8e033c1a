"""Database router: reads to a replica when the request allows it, everything else to the
primary (config.replicas says when and which).

A read inside a transaction on the primary stays there: a service reads what it is about
to change, and a replica may not have it yet. Migrations run only on the primary (a
replica is read-only and replays them).
"""

from . import replicas


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return replicas.read_alias()

    def db_for_write(self, model, **hints):
        return replicas.PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on every server

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == replicas.PRIMARY
