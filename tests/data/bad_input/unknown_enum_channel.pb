
e2s1çJabc