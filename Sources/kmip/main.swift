print("kmip")
