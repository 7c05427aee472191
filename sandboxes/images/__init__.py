"""The lab runtime image: recipe, offline builder, Dockerfile."""
