# cypher/ holds graphcat's named Cypher queries, one per .cypher file, named by their path
# (e.g. health/server_components). It is a package only so an installed graphcat ships it as
# graphcat.cypher; there is no Python here.
