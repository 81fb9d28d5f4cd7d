"""minpy.nn"""
