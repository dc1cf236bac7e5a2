"""Import from the tools models already live in (MLflow), mapped onto graphcat catalog documents."""
