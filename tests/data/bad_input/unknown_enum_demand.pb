
e3s1Jabc`c