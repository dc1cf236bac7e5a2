"""Run catalogued models on a user's data, record measured evaluations, rank per dataset (issue 17).

tables (read a file's columns in batches) -> mapping (the recommender's column mapping turned into
input tensors) -> run (onnxruntime in batches, scikit-learn metrics) -> service (transferability
check, recording in one transaction, leaderboards). commands is the CLI; graphcat.api.evaluation
the GraphQL side; graphcat.store.evaluation and cypher/evaluation/ the graph side.
"""
