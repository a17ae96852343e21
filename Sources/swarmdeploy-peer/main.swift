print("swarmdeploy-peer: under construction")
