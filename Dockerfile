FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY graphcat ./graphcat
COPY embeddings ./embeddings
COPY cypher ./cypher
RUN pip install --no-cache-dir -c constraints.txt .
WORKDIR /data
EXPOSE 8000
CMD ["graphcat", "serve", "--host", "0.0.0.0", "--port", "8000"]
