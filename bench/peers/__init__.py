"""Peers graphcat is measured against (issue 15): bench/peers_graphql.py and the servers it starts."""
