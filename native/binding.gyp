{
  "targets": [
    {
      "target_name": "petrel_sockopt",
      "sources": ["sockopt.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
