// a C# file
class X {}
