FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY graphcat ./graphcat
COPY embeddings ./embeddings
COPY cypher ./cypher
RUN pip install --no-cache-dir -c constraints.txt .
# Run as an unprivileged user (uid 10001, as deploy/kubernetes/deployment.yaml expects); /data holds
# the per-process state (index, encoder export, object-store cache), /artifacts the local artifact store.
RUN useradd --uid 10001 --user-group --create-home graphcat && mkdir -p /data /artifacts \
    && chown graphcat:graphcat /data /artifacts
USER 10001
WORKDIR /data
EXPOSE 8000
CMD ["graphcat", "serve", "--host", "0.0.0.0", "--port", "8000"]
