
e1s1Jabÿş