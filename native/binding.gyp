{
  "targets": [
    {
      "target_name": "petrel_sockopt",
      "sources": ["sockopt.c", "nlmonitor.c", "nlwriter.c", "napi-util.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
