"""Producers: everything that writes articles into Kafka."""
