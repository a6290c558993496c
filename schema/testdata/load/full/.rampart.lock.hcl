this is not configuration {{{
