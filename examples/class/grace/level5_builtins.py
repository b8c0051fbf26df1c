import time
time.sleep(10**6)  # never finishes importing: a time limit stops it
