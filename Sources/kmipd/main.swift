print("kmipd")
