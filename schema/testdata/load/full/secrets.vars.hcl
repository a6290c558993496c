admin_token = "from-dir-file"
