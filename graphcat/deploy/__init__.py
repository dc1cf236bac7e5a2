"""Deployment readiness: ONNX signatures, the artifact store, smoke inference, latency, quantisation.

Nothing here touches Neo4j; graphcat.service.deploy records the results in the catalog.
"""
