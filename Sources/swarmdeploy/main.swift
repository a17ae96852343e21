print("swarmdeploy: under construction")
