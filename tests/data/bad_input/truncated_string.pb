
abc