"""The local services process: the model endpoint, the weather world and fault injection."""
